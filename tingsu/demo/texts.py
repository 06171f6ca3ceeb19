# ruff: noqa: E501, SIM905
# Long lines: these are sentences, easier to read and edit whole.
"""Chinese text material for the demo company 悦家优选 (an online and high-street
retailer). Templates use str.format placeholders filled in by `tingsu.demo.stories`:
{product} {order} {courier} {tracking} {store} {city} {amount} {days} {agent} {name}."""

from dataclasses import dataclass

COMPANY = "悦家优选"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_NAMES = (
    "秀英 伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 晓东 子涵 "
    "梓轩 欣怡 浩然 雨桐 思远 建华 国庆 海燕 志强 晓燕 丹 鹏 婷婷 俊杰 佳怡 一鸣 文博 "
    "雪梅 春梅 宇航 诗涵 子豪 梦琪 嘉怡 晨曦 立新 红梅 玉兰 建国 德华 小龙 慧敏"
).split()

CITIES = (
    "上海", "北京", "杭州", "广州", "深圳", "成都", "南京", "武汉", "苏州", "西安",
    "重庆", "天津", "长沙", "郑州", "青岛", "宁波", "厦门", "合肥", "昆明", "沈阳",
)  # fmt: skip

STORES = (
    "上海徐汇店", "北京望京店", "杭州西湖文化广场店", "广州天河城店",
    "成都春熙路店", "南京新街口店", "深圳南山万象城店", "武汉光谷店",
)  # fmt: skip

# (name, tracking number prefix)
COURIERS = (
    ("顺丰速运", "SF"), ("中通快递", "ZTO"), ("圆通速递", "YT"),
    ("韵达快递", "YD"), ("京东物流", "JDL"), ("极兔速递", "JT"),
)  # fmt: skip

APPLIANCES = (
    "小米空气净化器 4 Pro", "美的电饭煲 MB-4E86", "九阳破壁豆浆机 Y1", "戴森 HD15 吹风机",
    "飞利浦电动牙刷 HX6730", "罗技 MX Master 3S 鼠标", "格力落地扇 FD-40", "小熊养生壶 YSH-C15",
    "科沃斯扫地机器人 T20", "华为 FreeBuds 5i 耳机", "苏泊尔电压力锅 SY-50", "海尔 470 升冰箱",
)  # fmt: skip
FRAGILE = (
    "景德镇骨瓷餐具 16 件套", "康宁玻璃烤盘", "小米电视 55 英寸", "膳魔师保温杯 500ml",
    "宜家 HEKTAR 落地灯", "乐扣玻璃保鲜盒 6 件套", "汾酒青花 20 礼盒", "花王洗衣液 3kg 桶装",
)  # fmt: skip
BRANDED = (
    "雅诗兰黛特润修护精华 50ml", "SK-II 神仙水 230ml", "耐克 Air Force 1 运动鞋",
    "阿迪达斯 Ultraboost 跑鞋", "兰蔻菁纯面霜 50ml", "苹果 AirPods Pro 2", "迪奥烈艳蓝金口红",
)  # fmt: skip
GROCERY = (
    "三只松鼠坚果礼盒", "特仑苏纯牛奶 12 盒整箱", "洁柔抽纸 24 包", "五常稻花香大米 10kg",
    "安踏儿童运动鞋", "优衣库轻型羽绒服", "伊利安慕希酸奶整箱", "良品铺子零食大礼包",
)  # fmt: skip
ALL_PRODUCTS = APPLIANCES + FRAGILE + BRANDED + GROCERY


@dataclass(frozen=True)
class Topic:
    """What customers write about one leaf category, and how staff answer it."""

    products: tuple[str, ...]
    subjects: tuple[str, ...]
    descriptions: tuple[str, ...]
    asks: tuple[str, ...]  # staff asks the customer for something (waiting for customer)
    answers: tuple[str, ...]  # the customer's reply with what was asked
    notes: tuple[str, ...]  # internal notes
    # (resolution code, root cause, summary for the customer)
    outcomes: tuple[tuple[str, str, str], ...]


TOPICS: dict[str, Topic] = {
    "quality-damaged": Topic(
        products=FRAGILE + APPLIANCES,
        subjects=(
            "收到的{product}外壳破裂",
            "{product}到货破损，要求换货",
            "快递送来的{product}碎了",
            "{product}开箱就有裂痕",
        ),
        descriptions=(
            "我在贵店买的{product}收到后外壳破裂，订单号 {order}，外箱完好但里面没有任何缓冲材料，要求换货。",
            "今天签收了{product}，拆开发现已经碎成好几块，订单号 {order}。快递是{courier}送的，当时没让我验货就走了。请尽快处理。",
            "订单 {order} 的{product}，开箱后发现侧面有一道很长的裂痕，明显是运输中压坏的。我不想退款，希望换一台新的。",
            "收到{product}的时候外包装就瘪了，打开一看果然坏了。这已经是我第二次在你们这买东西遇到破损了，订单号 {order}，麻烦给个说法。",
        ),
        asks=(
            "为了尽快给您处理，麻烦您拍几张商品破损处和外包装的照片，连同快递面单一起在这里上传，谢谢配合。",
            "请您提供开箱时的破损照片（商品整体、破损细节、外箱各一张），我们收到后马上为您安排换货。",
        ),
        answers=(
            "照片已经上传了，一共三张，外箱右下角明显被压过。",
            "补充了照片，麻烦看一下，另外我周末都在家可以收货。",
        ),
        notes=(
            "已联系仓库确认，该批次出库时未加气泡柱，同批次还有 3 单类似反馈，建议质量部跟进包装标准。",
            "客户情绪比较激动，第二次遇到破损，处理时注意优先换货并致歉。",
        ),
        outcomes=(
            (
                "exchange",
                "packaging",
                "已为您安排换货，新的{product}已于今日发出，{courier}单号 {tracking}。破损商品由快递上门取回，无需您承担运费。再次向您致歉。",
            ),
            (
                "refund",
                "packaging",
                "按您的要求已办理全额退款 {amount} 元，预计 1-3 个工作日原路退回。破损商品无需寄回。",
            ),
            (
                "reship",
                "carrier-delay",
                "经核实为运输途中挤压造成破损，已为您补发一件{product}，单号 {tracking}，请注意查收。",
            ),
        ),
    ),
    "quality-counterfeit": Topic(
        products=BRANDED,
        subjects=(
            "怀疑买到假的{product}",
            "{product}与专柜对比明显不一致",
            "{product}防伪码查询无效",
        ),
        descriptions=(
            "在贵店旗舰店买的{product}，和专柜买的对比，瓶身字体和气味都不一样，扫防伪码显示“未查询到该产品”。订单号 {order}。你们是正品店吗？要求给个鉴定结果。",
            "{product}收到后拿去专柜验，柜员说不是正品。我要求退一赔三，订单号 {order}，否则我会向12315投诉。",
            "买的{product}鞋标走线很粗糙，鞋盒标签和官网信息对不上，订单 {order}，请核实是不是假货。",
        ),
        asks=(
            "麻烦您提供商品包装、批号/防伪码和专柜对比的照片，我们会送第三方机构鉴定，鉴定期间商品请不要继续使用。",
            "请将商品寄回我们的质检中心（运费到付），我们收到后 5 个工作日内给出鉴定结论。",
        ),
        answers=(
            "批号和防伪码的照片已经上传，专柜的对比照也在里面。",
            "已经寄回了，{courier}单号 {tracking}，请查收。",
        ),
        notes=(
            "已调取入库记录，该批次来自品牌授权一级经销商，附授权书。等待鉴定结果。",
            "第三方鉴定机构已收件，预计周四出报告。",
            "同一 SKU 本月第 2 起疑似假冒投诉，已请采购暂停该批次销售。",
        ),
        outcomes=(
            (
                "refund",
                "supplier-quality",
                "经第三方鉴定该批次商品存在问题，我们已为您全额退款 {amount} 元，并已下架同批次商品。非常抱歉。",
            ),
            (
                "compensation",
                "supplier-quality",
                "鉴定结果确认商品非正品，按照“假一赔三”承诺，已为您退款并赔偿 {amount} 元，已追责供应商。",
            ),
            (
                "declined",
                "customer-side",
                "经中国检验认证集团鉴定，您购买的{product}为正品，鉴定报告已上传。防伪码无效是因为该批次使用新版防伪系统，感谢您的理解。",
            ),
        ),
    ),
    "quality-defect": Topic(
        products=APPLIANCES,
        subjects=(
            "{product}用了一周就坏了",
            "{product}无法开机",
            "{product}异响严重",
            "{product}频繁断电重启",
        ),
        descriptions=(
            "{product}买回来才用了一周，今天突然无法开机，指示灯也不亮，换了插座也一样。订单号 {order}，希望换一台新的。",
            "我买的{product}运行时有很大的“咔咔”异响，晚上根本没法用，订单号 {order}。联系过品牌售后说要找购买平台。",
            "{product}用了不到半个月，工作几分钟就自动断电，已经严重影响使用了。订单 {order}，要求退货退款。",
            "{product}蓝牙连接一直断，重置了好几次都没用，订单号 {order}。",
        ),
        asks=(
            "麻烦您拍一段故障现象的视频，并告诉我们机身底部的序列号，我们好判断是否属于质量问题。",
            "请问故障出现前有没有摔落或进水的情况？麻烦再提供一下购买时的发票照片。",
        ),
        answers=(
            "视频已经传上来了，序列号是 SN2026{amount}7，没摔过也没进过水。",
            "发票照片已上传，一直放在桌上用，没有摔过。",
        ),
        notes=(
            "已请品牌方远程诊断，初步判断主板故障，属于质量问题，同意换新。",
            "同型号近 30 天故障率偏高，已反馈给采购和品牌方。",
        ),
        outcomes=(
            (
                "exchange",
                "supplier-quality",
                "经检测为主板故障，属于质量问题，已为您换新，新机已发出，单号 {tracking}。",
            ),
            (
                "refund",
                "supplier-quality",
                "已同意退货退款，快递员将上门取件，仓库签收后 {amount} 元会原路退回。",
            ),
            (
                "explanation",
                "customer-side",
                "经品牌售后检测，异响是因为底座未放平导致，调整后已恢复正常。如再出现问题，请随时联系我们。",
            ),
        ),
    ),
    "delivery-late": Topic(
        products=ALL_PRODUCTS,
        subjects=(
            "订单 {order} 超过承诺时间未送达",
            "{product}说好次日达，{days}天了还没到",
            "物流{days}天没有更新",
        ),
        descriptions=(
            "我{days}天前下单的{product}，页面写的是次日达，到现在还没送到，物流信息停在“{city}转运中心”已经三天没更新了。订单号 {order}。",
            "订单 {order} 的{product}是给孩子准备的生日礼物，明天就要用了，现在还在路上。你们到底什么时候能送到？",
            "{courier}的物流信息一直显示“运输中”，已经{days}天了，单号 {tracking}，打快递电话也打不通，请帮忙催一下。",
        ),
        asks=(
            "我们已联系{courier}加急处理，请问您方便的收货时间是什么时候？是否需要改送到公司地址？",
            "麻烦您确认一下收货地址和电话是否正确，快递员反馈联系不上您。",
        ),
        answers=(
            "地址没错，工作日白天家里没人，麻烦送到小区快递柜。",
            "电话是对的，可能是我开会没接到，明天全天都在家。",
        ),
        notes=(
            "{courier}回复：{city}转运中心因暴雨暂停分拣，预计延误 2 天。",
            "已在承运商系统提交催件工单，承运商承诺 24 小时内派送。",
        ),
        outcomes=(
            (
                "compensation",
                "carrier-delay",
                "非常抱歉包裹延误，商品已于今日送达。我们已向您的账户发放 {amount} 元无门槛优惠券作为补偿。",
            ),
            (
                "explanation",
                "carrier-delay",
                "经核实是{city}转运中心受天气影响延误，包裹已恢复运输并于今天派送，感谢您的耐心等待。",
            ),
            (
                "explanation",
                "system-fault",
                "延误原因是仓库系统升级导致订单未及时出库，现已发货，单号 {tracking}。给您带来不便深表歉意。",
            ),
        ),
    ),
    "delivery-lost": Topic(
        products=ALL_PRODUCTS,
        subjects=(
            "物流显示已签收但我没收到{product}",
            "包裹丢失，订单 {order}",
            "{product}快递显示签收，本人未签收",
        ),
        descriptions=(
            "订单 {order} 的{product}物流显示昨天已签收，但我和家人都没有收到，快递柜和门卫也都问过了，没有。请尽快查一下。",
            "我的包裹（{courier} {tracking}）显示被“本人签收”，但我本人根本不在家，也没授权任何人代收。要求补发或者退款。",
            "{product}的物流已经{days}天没动了，客服说可能丢件了，订单 {order}，我该怎么办？",
        ),
        asks=(
            "我们正在向{courier}核实签收底单，麻烦您再确认一下家人、邻居或物业是否有代收。",
            "请您提供一下收货地址附近的快递柜或驿站名称，我们一并调取监控核实。",
        ),
        answers=(
            "都问过了，物业说没有收到过这个包裹。",
            "楼下是菜鸟驿站（幸福里店），驿站说系统里没有。",
        ),
        notes=(
            "{courier}承认派件员未按规定投递，已确认丢件，按承运商协议索赔。",
            "签收底单显示签收人为“门卫”，但该小区无门卫，判定为虚假签收。",
        ),
        outcomes=(
            (
                "reship",
                "carrier-delay",
                "经与{courier}核实确认包裹丢失，已为您补发一件{product}，单号 {tracking}，运费由我们承担。",
            ),
            (
                "refund",
                "carrier-delay",
                "确认包裹在运输途中丢失，已为您全额退款 {amount} 元，预计 1-3 个工作日到账。",
            ),
        ),
    ),
    "delivery-courier": Topic(
        products=ALL_PRODUCTS,
        subjects=(
            "快递员态度恶劣",
            "快递员未送货上门还骂人",
            "快递员私自把{product}放在门口",
        ),
        descriptions=(
            "今天{courier}的快递员送{product}时，我只是问了一句能不能送上楼，他就开始骂人，态度极其恶劣。订单号 {order}，要求道歉并处理这个快递员。",
            "快递员没有打电话就把{product}放在门口，东西差点被拿走，打电话问他还说“爱要不要”。单号 {tracking}。",
            "说好送货上门，快递员直接放到了两公里外的驿站，还在系统里点了签收。我是老人腿脚不方便，订单 {order}。",
        ),
        asks=(
            "非常抱歉给您带来不好的体验。麻烦您告诉我们快递员的大概送达时间，如有通话录音或聊天截图也请上传。",
        ),
        answers=("大概是下午三点多，通话录音我已经上传了。",),
        notes=(
            "已将投诉转给{courier}站点负责人，对方承诺对快递员进行处罚和培训。",
            "该站点本月第 3 次态度类投诉，建议物流部评估更换承运商。",
        ),
        outcomes=(
            (
                "explanation",
                "staff-service",
                "{courier}站点已核实情况，对快递员做出处罚并安排站点负责人向您电话致歉。今后您的订单将备注送货上门。",
            ),
            (
                "compensation",
                "staff-service",
                "对于这次糟糕的配送体验，我们深表歉意，已为您发放 {amount} 元补偿券，承运商已对快递员进行处理。",
            ),
        ),
    ),
    "aftersales-refund-slow": Topic(
        products=ALL_PRODUCTS,
        subjects=(
            "退货{days}天了还没收到退款",
            "订单 {order} 退款迟迟不到账",
            "退款一直显示处理中",
        ),
        descriptions=(
            "我在{days}天前就把{product}退回去了，物流显示仓库已签收，但退款一直显示“处理中”，金额 {amount} 元。订单号 {order}。",
            "申请退款已经两周了，每次问客服都说“在处理”，到底什么时候能退？订单 {order}，再不处理我就找12315了。",
            "退款 {amount} 元说 3 个工作日到账，现在已经{days}天了，银行那边也查不到。订单 {order}。",
        ),
        asks=("麻烦您提供一下退款银行卡的后四位和开户行，我们请财务部查询打款流水。",),
        answers=("卡号后四位 6217，招商银行。",),
        notes=(
            "财务部回复：该笔退款因银行通道维护被退回，已重新发起。",
            "仓库签收后质检超时，已催仓库今日完成质检。",
        ),
        outcomes=(
            (
                "refund",
                "system-fault",
                "经查是支付通道异常导致退款失败，已重新发起退款 {amount} 元，银行流水号已发送到您的手机。",
            ),
            (
                "explanation",
                "policy-misunderstanding",
                "退款已于今天到账，之前的延迟是因为退货需质检完成后才能退款。我们会优化退款进度的提示。",
            ),
        ),
    ),
    "aftersales-return-refused": Topic(
        products=ALL_PRODUCTS,
        subjects=(
            "七天无理由退货被拒",
            "{product}退货申请被驳回",
            "不合理拒绝退货",
        ),
        descriptions=(
            "{product}收到才{days}天，包装都没拆，申请七天无理由退货却被拒，理由是“影响二次销售”。订单号 {order}，请给个合理解释。",
            "我的退货申请被驳回了三次，每次理由都不一样，订单 {order}。商品确实有问题，为什么不给退？",
            "门店说线上买的{product}不能在{store}退，线上又说要到门店办理，来回踢皮球。",
        ),
        asks=("请您上传商品目前状态的照片（含包装和吊牌），我们重新审核您的退货申请。",),
        answers=("照片已上传，吊牌和包装都在，完全没用过。",),
        notes=(
            "复核发现审核员误用了“定制商品”规则，该商品适用七天无理由退货。",
            "客户已拆封并使用，按平台规则确实不支持无理由退货，建议解释并给予小额补偿。",
        ),
        outcomes=(
            (
                "refund",
                "policy-misunderstanding",
                "经复核，您的商品符合七天无理由退货条件，之前的驳回有误。已为您开通退货，签收后退款 {amount} 元。",
            ),
            (
                "explanation",
                "customer-side",
                "经复核，商品已拆封使用，不符合无理由退货条件。考虑到您的体验，我们为您提供免费检测服务。",
            ),
            (
                "declined",
                "customer-side",
                "商品已超过退货期限且有明显使用痕迹，按照平台规则无法办理退货，感谢您的理解。",
            ),
        ),
    ),
    "store-attitude": Topic(
        products=ALL_PRODUCTS,
        subjects=(
            "{store}店员服务态度差",
            "{store}收银员不耐烦",
            "在{store}被店员无视",
        ),
        descriptions=(
            "今天下午在{store}想试用{product}，店员一直玩手机，问了三遍才不耐烦地说“自己看”。这种服务态度太差了。",
            "在{store}结账时因为优惠没算对问了一下，收银员当着其他顾客的面说我“事多”，非常难堪。要求门店道歉。",
            "带老人去{store}，店员看我们不像买东西的就爱答不理，其他顾客来了马上热情接待。",
        ),
        asks=(
            "非常抱歉。麻烦您告诉我们到店的具体时间和店员的大致特征（或工牌号），我们调取门店监控核实。",
        ),
        answers=("大概是周六下午四点，收银台二号位，戴眼镜的女店员。",),
        notes=(
            "门店店长已调取监控，情况属实，已对当班店员进行批评教育。",
            "该店近期人手紧张，周末高峰缺 2 人，建议门店运营调整排班。",
        ),
        outcomes=(
            (
                "explanation",
                "staff-service",
                "门店已核实情况，店长已对当班店员进行批评教育，并安排全店服务培训。店长会电话向您致歉。",
            ),
            (
                "compensation",
                "staff-service",
                "对于您在{store}的不愉快经历，我们深表歉意，已为您发放 {amount} 元门店代金券。",
            ),
        ),
    ),
    "store-queue": Topic(
        products=GROCERY,
        subjects=(
            "{store}结账排队太久",
            "{store}只开一个收银台",
            "周末{store}排队四十分钟",
        ),
        descriptions=(
            "周六在{store}买东西，十几个收银台只开了两个，排了四十多分钟才结完账，推车里还有冻品都化了。",
            "{store}的自助收银机坏了一半，工作人员也不来处理，排队的人都快排到门口了。",
            "下班去{store}买点菜，结账排了半小时，问店员为什么不多开收银台，说“没人”。",
        ),
        asks=("请问您是哪天几点到店的？我们会请门店核对当时的排班和客流情况。",),
        answers=("是上周六下午五点左右。",),
        notes=(
            "门店反馈当天两名收银员请假，未及时安排替班。",
            "自助收银机故障已报修，维修商承诺 48 小时内修复。",
        ),
        outcomes=(
            (
                "explanation",
                "staff-service",
                "门店已调整周末排班，高峰时段收银台全部开放，并增设了流动收银。感谢您的反馈。",
            ),
            (
                "explanation",
                "system-fault",
                "自助收银机故障已全部修复，门店高峰时段增加了引导员。给您带来不便，深表歉意。",
            ),
        ),
    ),
    "pricing-protection": Topic(
        products=APPLIANCES + BRANDED,
        subjects=(
            "{product}降价申请价保被拒",
            "买完{days}天就降价，要求价保",
            "价保申请一直没有结果",
        ),
        descriptions=(
            "我{days}天前买的{product}，今天同款降价了 {amount} 元，页面写着“30 天价保”，申请价保却提示“不符合条件”。订单号 {order}。",
            "{product}刚买就降价，申请了价保三天没有任何回复，订单 {order}。",
            "同一个商品，我买的时候 {amount} 元，现在直播间便宜一大截，为什么直播价不能价保？",
        ),
        asks=("麻烦您提供降价页面的截图（需包含时间和价格），我们核实是否属于价保范围。",),
        answers=("截图已上传，截图时间是今天上午十点。",),
        notes=(
            "直播间专享价不在价保范围内，但页面提示不清晰，建议产品修改文案。",
            "价保系统接口超时导致自动审核失败，已请财务部人工补差。",
        ),
        outcomes=(
            (
                "refund",
                "system-fault",
                "经核实符合价保条件，已为您退还差价 {amount} 元，预计 1-3 个工作日到账。",
            ),
            (
                "declined",
                "policy-misunderstanding",
                "直播间专享价属于限时特价，不在价保范围内。我们已优化页面说明，感谢您的理解。",
            ),
        ),
    ),
    "pricing-coupon": Topic(
        products=ALL_PRODUCTS,
        subjects=(
            "优惠券下单时无法使用",
            "满减券被扣除但没有优惠",
            "领取的优惠券消失了",
        ),
        descriptions=(
            "领了“满 300 减 50”的券，买{product}结算时提示“不满足使用条件”，订单金额明明超过 300 了。",
            "下单 {order} 时用了 {amount} 元优惠券，券被扣掉了，但实付金额没有减少，等于券白白浪费了。",
            "会员日领的优惠券昨天还在，今天打开 App 就不见了，有效期写的是到月底。",
        ),
        asks=("麻烦您提供一下优惠券的截图和下单时结算页的截图，我们请技术同事排查。",),
        answers=("截图都上传了，结算页显示优惠 0 元。",),
        notes=(
            "技术确认是促销引擎缓存问题，部分用户优惠券未正确核销，已修复。",
            "该券不适用于特价商品，券面说明写在二级页面里，客户未看到。",
        ),
        outcomes=(
            (
                "reship",
                "system-fault",
                "经排查是系统故障导致优惠未生效，已将优惠券返还到您的账户，并额外补偿 {amount} 元。",
            ),
            (
                "explanation",
                "policy-misunderstanding",
                "该优惠券不适用于特价商品，已为您详细说明使用规则。为表歉意，额外赠送一张 20 元优惠券。",
            ),
        ),
    ),
    "payment-double-charge": Topic(
        products=ALL_PRODUCTS,
        subjects=(
            "同一订单被扣款两次",
            "支付失败但银行卡扣款了",
            "订单 {order} 重复扣款 {amount} 元",
        ),
        descriptions=(
            "订单 {order} 付款时页面卡住了，我又点了一次，结果银行卡被扣了两次 {amount} 元，订单只有一个。",
            "支付时提示“支付失败”，但是微信支付显示已扣款 {amount} 元，订单状态还是待付款。",
            "我只买了一件{product}，信用卡账单显示两笔相同金额的扣款，请尽快退回多扣的钱。",
        ),
        asks=(
            "麻烦您提供一下两笔扣款的银行短信或账单截图（可遮挡卡号中间位数），我们请财务部核对。",
        ),
        answers=("两条扣款短信截图已上传。",),
        notes=(
            "财务部核对支付流水，确认存在重复支付，系统会在 T+1 自动退款，但本单自动退款失败，需人工处理。",
            "支付网关回调超时导致重复下单支付，已提交技术修复。",
        ),
        outcomes=(
            (
                "refund",
                "system-fault",
                "确认为重复扣款，多扣的 {amount} 元已原路退回，预计 1-3 个工作日到账。给您带来不便，非常抱歉。",
            ),
        ),
    ),
}

ESCALATIONS = (
    "如果三天内不解决，我会向12315投诉。",
    "再不处理我就找媒体曝光。",
    "我已经打了三次电话了，一直没人给我回复。",
    "这件事不解决，我会考虑起诉。",
)

FIRST_REPLIES = (
    "您好{name}，我是{company}客服{agent}，已收到您的反馈，非常抱歉给您带来不便。我们正在核实，会在 24 小时内给您答复。",
    "{name}您好，您反馈的问题我们已经记录，目前正在联系相关部门核实，有进展会第一时间通知您。",
    "您好，感谢您的耐心。我是负责处理您投诉的{agent}，这件事我会跟进到底，请您放心。",
)
FOLLOW_UPS = (
    "您好，目前相关部门还在核实中，预计明天给您最终答复，请您再耐心等待一下。",
    "已经为您加急处理，进展顺利的话今天下班前会有结果。",
)
CUSTOMER_NUDGES = (
    "请问现在处理得怎么样了？",
    "已经过去两天了，还没有结果吗？",
    "麻烦尽快处理，谢谢。",
)
CUSTOMER_THANKS = (
    "已经收到了，谢谢你们的处理。",
    "好的，问题解决了，谢谢。",
    "处理结果可以接受，谢谢客服。",
)
# By the resolution code of the outcome being reopened.
REOPEN_REASONS = {
    "refund": ("说已经退款了，但我到现在都没收到。", "退款金额不对，少退了运费。"),
    "exchange": ("换来的还是有同样的问题，请重新处理。",),
    "reship": ("补发的商品到现在还没收到。", "补发的商品也是坏的，我不接受这个处理结果。"),
    "other": ("我对这个处理结果不满意，请重新处理。", "问题并没有解决，麻烦再跟进一下。"),
}
WITHDRAW_REASONS = (
    "包裹已经收到了，撤销投诉。",
    "已经和门店沟通解决了，不需要再处理。",
    "问题已经自行解决，谢谢。",
    "不想再折腾了，撤销吧。",
)
REJECT_REASONS = (
    "经核实，该订单不是在{company}购买的，我们无法受理，请联系实际购买平台。",
    "您反馈的问题已超过售后服务期限（180 天），按规定不予受理。",
    "经核实与此前已处理完结的投诉内容完全相同，不再重复受理。",
    "投诉内容与本公司商品和服务无关，不予受理。",
)
TRANSFER_REASONS = {
    "logistics": ("需物流部联系承运商核实配送情况。", "转物流部跟进承运商索赔。"),
    "quality": ("需质量部鉴定商品质量问题。", "疑似批次质量问题，转质量部处理。"),
    "finance": ("需财务部核实支付和退款流水。", "涉及退款/补差，转财务部处理。"),
    "stores": ("门店服务问题，转门店运营跟进。", "需门店调取监控核实，转门店运营。"),
}
DUPLICATE_PREFIXES = (
    "我前几天已经投诉过了，一直没人联系我，再提交一次：",
    "重复提交，之前的投诉没有回音。",
    "电话里说过了，这里再补充一下：",
)
PRIORITY_NOTE = "客户有升级投诉风险，已提升为紧急，请当天回复并电话联系客户。"
